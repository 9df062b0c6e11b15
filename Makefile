# Valet: three Go services that teach OAuth 2.0 by running it.
# Every target works from a fresh clone with only Go installed.

SERVICES := authserver photos printing
# The modules that exist in this checkout, in go.work order.
MODULES  := $(patsubst %/go.mod,%,$(wildcard */go.mod))
PRESENT  := $(filter $(SERVICES),$(MODULES))
# The attack lab's evil site (workshop/attacker, workshop/attacks/): its own module, two levels
# deep, so */go.mod misses it. build, lint and test cover it like the others.
LAB      := $(patsubst %/go.mod,%,$(wildcard workshop/*/go.mod))
MODULES  += $(LAB)
GO       ?= go
# The race detector needs cgo; use it wherever a C compiler is installed.
RACE     := $(shell command -v gcc >/dev/null 2>&1 && echo -race)
# Build tags for build and run: TAGS=ex03 builds a workshop student's file instead of the solution.
TAGS     ?=

.DEFAULT_GOAL := help
.PHONY: help build run test test-compose screenshots lint bench clean kiosk
.PHONY: test-short reset
.PHONY: load bench-report
.PHONY: exercise workshop-status workshop-reset workshop-ci

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

build: ## Build every service into bin/.
	@mkdir -p bin
	@for s in $(PRESENT); do \
		echo "go build -tags '$(TAGS)' -o bin/$$s ./$$s"; \
		CGO_ENABLED=0 $(GO) build -trimpath -tags "$(TAGS)" -o bin/$$s ./$$s || exit 1; \
	done
	@for m in $(LAB); do \
		echo "go build -o bin/$$(basename $$m) ./$$m"; \
		CGO_ENABLED=0 $(GO) build -trimpath -o bin/$$(basename $$m) ./$$m || exit 1; \
	done

run: build ## Build and run every service on localhost (Ctrl-C stops them all). Data goes to data/.
	@mkdir -p data
	@echo "Starting: $(PRESENT). PrintShop http://localhost:9000, Accounts http://localhost:9001, Photos http://localhost:9002."
	@pids=""; \
	for s in $(PRESENT); do ./bin/$$s & pids="$$pids $$!"; done; \
	trap 'kill $$pids 2>/dev/null; wait' INT TERM; \
	wait

kiosk: build ## Run the photo kiosk (printing kiosk, the device flow) in this terminal; `make run` in another.
	./bin/printing kiosk

# What make test says where the browser tests will skip: e2e/chrome_test.go's chromiumMissing.
CHROMIUM := $(shell for b in chromium chromium-browser google-chrome google-chrome-stable; do command -v $$b && break; done)
CHROMIUM_MISSING := chromium not found: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) to run the browser tests

test: ## Run every test of every module (with the race detector when gcc is installed).
	@if [ -z '$(CHROMIUM)' ]; then case "$$CI" in ''|0|[Ff][Aa][Ll][Ss][Ee]) \
		echo '== e2e: the browser tests will skip: $(CHROMIUM_MISSING)';; esac; fi
	@for m in $(MODULES); do \
		echo "== go test $(RACE) ./$$m/..."; \
		(cd $$m && CGO_ENABLED=$(if $(RACE),1,0) $(GO) test $(RACE) -count=1 -timeout 15m ./...) || exit 1; \
	done
	@GO=$(GO) bash workshop/workshop.sh ci

test-short: ## The fast inner loop: unit and handler tests of the services; no browser, no Compose, no race detector.
	@for m in $(filter-out e2e,$(MODULES)); do \
		echo "== go test -short ./$$m/..."; \
		(cd $$m && CGO_ENABLED=0 $(GO) test -short -count=1 -timeout 5m ./...) || exit 1; \
	done

test-compose: ## Build the images, start docker-compose.yml, run the e2e suite against it, tear it down.
	bash .ci/compose-smoke.sh

screenshots: ## Render the README's screenshots into docs/images/ with headless Chromium.
	cd e2e && E2E_SCREENSHOTS=$(CURDIR)/docs/images $(GO) test -count=1 -run '^(TestScreenshots|TestBrowserPhotosWeb)$$' ./...

lint: ## go vet and gofmt in every module.
	@for m in $(MODULES); do \
		echo "== go vet ./$$m/..."; \
		(cd $$m && $(GO) vet ./...) || exit 1; \
	done
	@unformatted=$$(gofmt -l $(MODULES)); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi; \
	echo "== gofmt: clean"

bench: ## Run the benchmarks (the token endpoint for each signing algorithm, and more).
	@for m in $(MODULES); do \
		(cd $$m && $(GO) test -run '^$$' -bench . -benchmem ./...) || exit 1; \
	done

# The load tool (e2e/cmd/loadgen) starts the built binaries on 127.0.0.1 with fresh databases and
# stops by itself. It reports; it never fails on speed, and make test does not run it.
USERS        ?= 16
DURATION     ?= 10s
ALG          ?= ES256
WRK_DURATION ?= 15s
MAKE_TEST    ?=

load: build ## Drive USERS simulated users through complete flows, refreshes and Photos calls for DURATION per phase.
	cd e2e && $(GO) run ./cmd/loadgen -bin ../bin -users $(USERS) -duration $(DURATION) -alg $(ALG)

bench-report: build ## Measure flows (loadgen) and single endpoints (wrk) and rewrite docs/PERFORMANCE.md (about 6 minutes).
	cd e2e && $(GO) run ./cmd/loadgen -bin ../bin -duration 5s -report ../docs/PERFORMANCE.md -wrk-duration $(WRK_DURATION) $(if $(MAKE_TEST),-make-test)

clean: ## Remove bin/ and data/ (the local databases).
	rm -rf bin data

reset: ## Forget everything make run remembered (users' consents, tokens, orders): delete data/. Stop make run first.
	rm -rf data

exercise: ## Check a workshop exercise against your file: make exercise N=03.
	@GO=$(GO) bash workshop/workshop.sh exercise $(N)

workshop-status: ## The workshop's exercises: whose file each one builds, and its verdict.
	@GO=$(GO) bash workshop/workshop.sh status

workshop-reset: ## Restore every exercise's files as committed (REF=origin/main to go further back).
	@bash workshop/workshop.sh reset $(REF)

workshop-ci: ## Prove every exercise both ways (make test runs it too).
	@GO=$(GO) bash workshop/workshop.sh ci
