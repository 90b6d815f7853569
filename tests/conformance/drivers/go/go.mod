module metricsd-conformance

go 1.19

require metricsd/clients/go v0.0.0

replace metricsd/clients/go => ../../../../clients/go
