#!/usr/bin/env bash
# The workshop's tools, all driven by workshop/exercises.tsv (the one list of exercises):
#   workshop.sh exercise NN   run exercise NN's checker against the student's file (-tags exNN)
#   workshop.sh status        a table: each exercise, the state of its files, its verdict
#   workshop.sh reset [REF]   restore every exercise's files as they are in REF (default HEAD)
#   workshop.sh ci            prove every exercise both ways (see ci below); CI runs it
set -uo pipefail
cd "$(dirname "$0")/.."
MANIFEST=workshop/exercises.tsv
GO=${GO:-go}
export GOFLAGS=${GOFLAGS:-} CGO_ENABLED=${CGO_ENABLED:-0}

# exercises prints the manifest's exercise lines, comments and blank lines left out.
exercises() { grep -v -e '^#' -e '^[[:space:]]*$' "$MANIFEST"; }

# field NN COLUMN prints one column of exercise NN's line (1 = NN ... 8 = read next).
field() { exercises | awk -F'\t' -v n="$1" -v c="$2" '$1 == n { print $c }'; }

# regex turns "TestA TestB" into ^(TestA|TestB)$ for go test -run.
regex() { echo "^($(echo "$1" | tr -s ' ' '|'))\$"; }

# checker NN [TAGS [TESTS]] runs exercise NN's checker (or only TESTS of it) with the given
# build tags, printing go test's output; its exit status is go test's.
checker() {
	local n=$1 tags=${2:-}
	local module packages tests
	module=$(field "$n" 3) packages=$(field "$n" 6) tests=${3:-$(field "$n" 7)}
	# shellcheck disable=SC2086 # packages is a list
	(cd "$module" && $GO test -count=1 -tags "$tags" -run "$(regex "$tests")" $packages 2>&1)
}

cmd_exercise() {
	local n=${1:-}
	if [[ $n =~ ^[0-9]+$ ]]; then
		n=$(printf '%02d' "$((10#$n))") # N=3 means 03
	fi
	if [ -z "$n" ] || [ -z "$(field "$n" 1)" ]; then
		echo "usage: make exercise N=NN, with NN one of: $(exercises | cut -f1 | tr '\n' ' ')" >&2
		return 2
	fi
	local name module student tests unit service out
	name=$(field "$n" 2) module=$(field "$n" 3) student=$(field "$n" 5) tests=$(field "$n" 7)
	unit=${tests%% *} service=${tests#"$unit"}
	echo "== Exercise $n ($name): your file is $module/$student"
	# The rule alone first: its messages name the mistake. Then the service's own tests with
	# your rule inside, which only speak once the rule passes alone.
	echo "== 1. your rule alone: go test -tags ex$n -run $unit"
	local status=0
	out=$(checker "$n" "ex$n" "$unit") || status=$?
	if [ "$status" = 0 ] && [ -n "${service// /}" ]; then
		echo "== 2. the service with your rule: go test -tags ex$n -run$service"
		out=$(checker "$n" "ex$n" "$service") || status=$?
	fi
	if [ "$status" = 0 ]; then
		echo
		echo "PASS: exercise $n ($name). Every check holds. Watch it live: make run TAGS=ex$n"
		return 0
	fi
	echo "$out" | grep -v '^ok\|^FAIL$'
	echo
	if echo "$out" | grep -q -e '^# ' -e 'build failed' -e '\[setup failed\]'; then
		echo "NOT YET: exercise $n ($name) does not compile. Fix the errors above (file:line), keeping the function's signature."
	else
		echo "NOT YET: exercise $n ($name). Each message above names a mistake your code makes."
	fi
	echo "Read next: $(field "$n" 8)"
	return 1
}

# state FILE says whether FILE differs from its committed version.
state() {
	if [ ! -f "$1" ]; then
		echo "missing"
	elif git diff --quiet HEAD -- "$1" 2>/dev/null; then
		echo "as committed"
	else
		echo "edited"
	fi
}

cmd_status() {
	printf '%-3s %-22s %-11s %-13s %-13s %s\n' NN exercise module solution "student's" "verdict (-tags exNN)"
	local n name module solution student verdict
	while IFS=$'\t' read -r n name module solution student _; do
		if checker "$n" "ex$n" >/dev/null; then verdict="PASS"; else verdict="not yet"; fi
		printf '%-3s %-22s %-11s %-13s %-13s %s\n' "$n" "$name" "$module" \
			"$(state "$module/$solution")" "$(state "$module/$student")" "$verdict"
	done < <(exercises)
	echo
	echo "solution: the file built without tags. student's: the file built with -tags exNN, yours to edit."
	echo "A student's file as committed is the starting point, so its verdict is \"not yet\"."
}

cmd_reset() {
	local ref=${1:-HEAD} files=()
	local n name module solution student
	while IFS=$'\t' read -r n name module solution student _; do
		files+=("$module/$solution" "$module/$student")
	done < <(exercises)
	git checkout "$ref" -- "${files[@]}" && echo "Restored ${#files[@]} files of $(exercises | wc -l) exercises from $ref."
}

# fail prints a CI failure and remembers it.
FAILED=0
fail() {
	echo "FAIL: $*"
	FAILED=1
}

# ci_files checks the manifest against the tree: each file pair exists with the right build
# line, the doc exists, every checker test exists, and no exercise file is missing from the list.
ci_files() {
	local n name module solution student packages tests
	while IFS=$'\t' read -r n name module solution student packages tests _; do
		[ "$(head -n1 "$module/$solution" 2>/dev/null)" = "//go:build !ex$n" ] || fail "$module/$solution must start with //go:build !ex$n"
		[ "$(head -n1 "$module/$student" 2>/dev/null)" = "//go:build ex$n" ] || fail "$module/$student must start with //go:build ex$n"
		[ -f "workshop/$n-$name.md" ] || fail "exercise $n has no workshop/$n-$name.md"
		for t in $tests; do
			grep -q "^func $t(t \*testing.T)" "$module"/internal/*/*_test.go || fail "exercise $n: checker test $t not found in $module"
		done
	done < <(exercises)
	local listed tagged
	listed=$(exercises | cut -f1 | sort)
	tagged=$(grep -rhoE '^//go:build !?ex[0-9]+$' --include='*.go' . | grep -oE '[0-9]+' | sort -u)
	for n in $tagged; do
		echo "$listed" | grep -qx "$n" || fail "//go:build ex$n is used but exercise $n is not in $MANIFEST"
	done
}

# ci_module_checkers MODULE TAGS SKIP runs, in one go test, every checker of MODULE except
# exercise SKIP's, with TAGS. Results are cached by go test when nothing they depend on changed.
ci_module_checkers() {
	local module=$1 tags=$2 skip=$3 packages="" tests="" n m p t
	while IFS=$'\t' read -r n _ m _ _ p t _; do
		[ "$m" = "$module" ] && [ "$n" != "$skip" ] || continue
		packages="$packages $p" tests="$tests $t"
	done < <(exercises)
	[ -n "$tests" ] || return 0
	# shellcheck disable=SC2086 # packages is a list
	(cd "$module" && $GO test -tags "$tags" -run "$(regex "$(echo $tests)")" $(echo $packages | tr ' ' '\n' | sort -u) 2>&1)
}

# ci proves every exercise both ways. Without tags every checker passes. With -tags exNN, every
# module still builds and vets, exercise NN's checker fails (by a failing test, not a build
# error), and every other checker passes.
cmd_ci() {
	local start=$SECONDS modules n out
	modules=$(exercises | cut -f3 | sort -u)
	echo "== workshop: $(exercises | wc -l) exercises in $MANIFEST"
	ci_files
	for m in $modules; do
		out=$(ci_module_checkers "$m" "" "") || fail "without tags, a checker of $m fails:"$'\n'"$out"
	done
	local all
	all=$(for m in */go.mod; do echo "./${m%/go.mod}/..."; done)
	while IFS=$'\t' read -r n _ module _; do
		local before=$FAILED
		FAILED=0
		# One go vet for every module of go.work: they build and vet with the tag.
		# shellcheck disable=SC2086 # all is a list
		out=$($GO vet -tags "ex$n" $all 2>&1) || fail "go vet -tags ex$n fails:"$'\n'"$out"
		if out=$(checker "$n" "ex$n"); then
			fail "with -tags ex$n, exercise $n's checker passes against the student's starting file"
		elif ! echo "$out" | grep -q -e '^--- FAIL' -e '^    --- FAIL'; then
			fail "with -tags ex$n, exercise $n's checker fails without a failing test:"$'\n'"$out"
		fi
		for m in $modules; do
			out=$(ci_module_checkers "$m" "ex$n" "$n") || fail "with -tags ex$n, another checker of $m fails:"$'\n'"$out"
		done
		if [ "$FAILED" = 0 ]; then
			echo "ok  exercise $n: its checker fails with -tags ex$n; everything else builds, vets and passes"
		fi
		[ "$before" = 0 ] || FAILED=1
	done < <(exercises)
	echo "== workshop: $((SECONDS - start)) s"
	[ "$FAILED" = 0 ]
}

case ${1:-} in
exercise) cmd_exercise "${2:-}" ;;
status) cmd_status ;;
reset) cmd_reset "${2:-}" ;;
ci) cmd_ci ;;
*)
	echo "usage: $0 exercise NN | status | reset [REF] | ci" >&2
	exit 2
	;;
esac
