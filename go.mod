module github.com/pixelsandpetals/delivery

go 1.26

require golang.org/x/mod v0.30.0 // indirect
