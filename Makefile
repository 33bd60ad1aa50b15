# Packaging helpers (see README.md, "Packaging"). The everyday build is
# cargo; this file only prepares and builds the Debian package.

.PHONY: vendor deb clean-vendor

# Refresh vendor/: every crate of Cargo.lock, for an offline package build.
# vendor/ is not committed (it is large and generated); it goes into the
# source package, which is what a clean build root receives.
vendor:
	rm -rf vendor
	cargo vendor --locked --versioned-dirs vendor >/dev/null
	@echo "vendor/: $$(ls vendor | wc -l) crates"

deb: vendor
	dpkg-buildpackage -us -uc -b

clean-vendor:
	rm -rf vendor
