# cairn — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
DATA_DIR ?= .cairn

.PHONY: run test install test-deps build generate check-generated typecheck bench clean
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP)

# The OCI tests run the CNCF distribution registry from Debian; s3rver and Azurite come from npm.
test-deps: install
	@command -v docker-registry >/dev/null 2>&1 || { \
	  echo "installing Debian's docker-registry (for the OCI provider tests)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq docker-registry >/dev/null; }

build: install
	npx tsc -p tsconfig.json
	chmod +x dist/src/cli/main.js

generate: install
	rm -rf generated && npx buf generate

# Fails when generated/ no longer matches what proto/ produces.
check-generated: install
	@tmp=$$(mktemp -d) && npx buf generate -o $$tmp && \
	  if ! diff -r generated $$tmp/generated >/dev/null; then \
	    echo "generated/ is stale: run 'make generate' and commit it" >&2; diff -r generated $$tmp/generated | head -20 >&2; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp; echo "generated/ is up to date"

typecheck: install
	npx tsc --noEmit -p tsconfig.json

# Started through the CLI's shebang, which carries the node flags the server wants.
run: build
	./dist/src/cli/main.js server --data-dir $(DATA_DIR)

test: test-deps check-generated typecheck build
	npx jest

bench: build
	node dist/test/bench/run-all.js

clean:
	rm -rf dist
