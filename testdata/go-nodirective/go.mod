// A module without a go directive (legal: the go command then assumes go 1.16), like github.com/google/uuid.
module example.com/legacy-greeter
