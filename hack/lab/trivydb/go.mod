module github.com/pixelsandpetals/delivery/hack/lab/trivydb

go 1.26

// bbolt as in trivy v0.74.0's go.mod.
require go.etcd.io/bbolt v1.5.0

require golang.org/x/sys v0.45.0 // indirect
