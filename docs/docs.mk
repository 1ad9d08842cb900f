# Man pages from the docs/ pages, one source for both: docs/man-pages lists
# each page, its docs/*.md source and its NAME line; docs/man.sh renders it with
# pandoc (tables become lists through docs/man.lua) into $(BUILD)/man/man8/.
MAN_DIR   := $(BUILD)/man/man8
MAN_NAMES := $(shell awk -F'\t' '!/^\#/ && NF { print $$1 }' docs/man-pages)
MAN_PAGES := $(MAN_NAMES:%=$(MAN_DIR)/%.8)

.PHONY: man
all: man
man: $(MAN_PAGES)

$(MAN_DIR):
	$(Q)mkdir -p $@

# The tools' pages include their --help: built after the tools (tools/tools.mk,
# read after this file: hence the second expansion).
.SECONDEXPANSION:
$(MAN_DIR)/%.8: docs/man-pages docs/man.sh docs/man.lua $(wildcard docs/*.md) $(BUILD)/version.stamp \
		| $(MAN_DIR) $$(TOOLS_BINS)
	$(call msg,MAN,$@)
	$(Q)docs/man.sh $* '$(VERSION)' $@ $(BUILD)
