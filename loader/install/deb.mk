# make deb: $(BUILD)/deb/netbpf_<version>_amd64.deb with dpkg-buildpackage, from a
# copy of the source files git knows or would add (the build never writes into the
# source tree), with the changelog's version replaced by this build's (VERSION,
# Debian-style).
DEB_DIR     := $(BUILD)/deb
DEB_VERSION := $(subst -dirty,.dirty,$(VERSION))-1
DEB_SRC     := $(DEB_DIR)/netbpf-$(DEB_VERSION)

.PHONY: deb
deb:
	$(call msg,DEB,$(DEB_DIR)/netbpf_$(DEB_VERSION)_amd64.deb)
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	$(Q)git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(DEB_SRC)
	$(Q)sed -i '1s/([^)]*)/($(DEB_VERSION))/' $(DEB_SRC)/debian/changelog
	$(Q)cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc $(if $(filter 1,$(V)),,>../build.log 2>&1) || \
		{ echo "netbpf: dpkg-buildpackage failed, see $(DEB_DIR)/build.log" >&2; tail -n 20 $(DEB_DIR)/build.log >&2; exit 1; }
	$(Q)ls $(DEB_DIR)/netbpf_$(DEB_VERSION)_amd64.deb >/dev/null
