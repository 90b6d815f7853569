module metricsd/clients/go

go 1.19
