# Obvious entry points; the scripts they call are the ones CI runs.
.PHONY: test build deps format

test:            ## every test: unit, runtime integration, cluster end-to-end (what .ci/run runs)
	scripts/test-all

build:           ## compile, unit tests, formatter check, static checks
	./mvnw -B -ntp verify

deps:            ## Debian packages the build, tests and local cluster need
	scripts/install-deps

format:          ## rewrite sources with the project's formatter
	./mvnw -B -ntp spotless:apply
