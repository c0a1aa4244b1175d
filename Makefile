# Obvious entry points; the scripts they call are the ones CI runs.
.PHONY: demo test build dist lint deps format images cluster cluster-down smoke e2e

demo:            ## fresh machine: deps, build, images, local Kubernetes, demo function, a shell in it
	scripts/demo

test:            ## every test: unit, runtime integration, cluster end-to-end (what .ci/run runs)
	scripts/test-all

build:           ## compile, unit tests, formatter check, static checks
	./mvnw -B -ntp verify

dist:            ## release tarballs under target/dist: linux-amd64 with its own Java, any-OS; the krew manifest
	./mvnw -B -ntp -pl cli -am package
	scripts/dist

lint:            ## shellcheck and ruff over the scripts and the Python
	scripts/lint

deps:            ## Debian packages the build, tests and local cluster need
	scripts/install-deps

format:          ## rewrite sources with the project's formatter
	./mvnw -B -ntp spotless:apply

images:          ## the images, as OCI archives under /var/cache/lambda-cntr/images (debug needs the agent's dist)
	images/build pause coredns target-busybox target-static demo-function debug

cluster:         ## bring up the local Kubernetes: containerd, Docker and CRI-O nodes (KUBECONFIG=/var/lib/lambda-cntr-testbed/kubeconfig)
	testbed/up

cluster-down:    ## tear the local Kubernetes down, leaving nothing behind
	testbed/down

smoke:           ## the cluster smoke suite against the local Kubernetes (or KUBECONFIG)
	testbed/smoke

e2e:             ## the end-to-end suite against the cluster in KUBECONFIG (default: the local one)
	scripts/e2e
