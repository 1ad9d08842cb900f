# make install [PREFIX=/usr/local] [DESTDIR=...] / make uninstall: one file list
# for both, so uninstall removes exactly what install wrote.
# The tools go to sbin as netbpf-<tool>: they need root like netbpf itself, and
# the prefix keeps them apart from bcc's tools of the same names (tcpconnect...),
# as Debian's bpfcc-tools does with its -bpfcc suffix.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian 12 keeps packaged units in /lib/systemd/system; a local install keeps
# them under its prefix.
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL    ?= install

UNITS      := $(patsubst loader/install/%.in,%,$(wildcard loader/install/*.service.in))
UNIT_FILES := $(UNITS:%=$(BUILD)/units/%)

INSTALLED = $(SBINDIR)/netbpf $(TOOLS_NAMES:%=$(SBINDIR)/netbpf-%) \
	$(MAN_NAMES:%=$(MANDIR)/man8/%.8) $(BASHCOMPDIR)/netbpf $(UNITS:%=$(UNITDIR)/%)

.PHONY: install uninstall
all: $(UNIT_FILES)

$(BUILD)/units:
	$(Q)mkdir -p $@

# Units name the installed binary: rebuilt when SBINDIR changes.
$(BUILD)/units/%: loader/install/%.in FORCE | $(BUILD)/units
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' $< > $@.tmp && \
		{ cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@; }

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d -m 755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR)
	$(Q)$(INSTALL) -m 755 $(BUILD)/netbpf $(DESTDIR)$(SBINDIR)/netbpf
	$(Q)for t in $(TOOLS_NAMES); do \
		$(INSTALL) -m 755 $(BUILD)/tools/$$t $(DESTDIR)$(SBINDIR)/netbpf-$$t || exit 1; done
	$(Q)$(INSTALL) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(INSTALL) -m 644 loader/install/netbpf.bash-completion $(DESTDIR)$(BASHCOMPDIR)/netbpf
	$(Q)$(INSTALL) -m 644 $(UNIT_FILES) $(DESTDIR)$(UNITDIR)/

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
