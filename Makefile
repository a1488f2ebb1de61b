# Convenience targets; the scripts are what the README and CI call.
.PHONY: setup build run test bench clean
setup:
	./scripts/setup.sh
build:
	./scripts/build.sh
run:
	./scripts/run.sh
test:
	./scripts/test.sh
bench:
	./bench/compare_gcn_cora.sh
clean:
	rm -rf build
