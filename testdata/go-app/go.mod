module example.com/petals-api

go 1.26
