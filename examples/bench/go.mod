module github.com/hazardloop/hazardloop/examples/bench

go 1.24

require (
	github.com/hazardloop/hazardloop v0.0.0
	github.com/looplab/fsm v1.0.3
	github.com/qmuntal/stateless v1.7.2
)

replace github.com/hazardloop/hazardloop => ../..
