# make vmtest [KERNELS="6.1 6.12"]: netns-tests inside stock Debian kernels under
# qemu (netns-tests/vmtest/). Kernels are downloaded once into $(VMTEST_DIR);
# delete a kernel-VER directory there to pick up a newer Debian kernel.
KERNELS    ?= 6.1 6.12
VMTEST     ?= 1
VMTEST_DIR ?= $(BUILD)/vmtest
VMTEST_KERNEL_FILES := $(foreach k,$(KERNELS),$(VMTEST_DIR)/kernel-$(k)/vmlinux $(VMTEST_DIR)/kernel-$(k)/modules.cpio)
VMTEST_RUN = BUILD=$(BUILD) VMTEST_DIR=$(VMTEST_DIR) TESTS="$(TESTS)" netns-tests/vmtest/matrix.sh

.PHONY: vmtest
.PRECIOUS: $(VMTEST_DIR)/kernel-%/vmlinux

$(VMTEST_DIR)/kernel-%/vmlinux: | deps
	$(Q)netns-tests/vmtest/fetch-kernel.sh $* $(@D)

$(VMTEST_DIR)/kernel-%/modules.cpio: $(VMTEST_DIR)/kernel-%/vmlinux netns-tests/vmtest/modules netns-tests/vmtest/mkmodules.sh
	$(call msg,CPIO,$@)
	$(Q)netns-tests/vmtest/mkmodules.sh $(@D) netns-tests/vmtest/modules $@

# deps, all and $(TEST_DEPS) are added in the top Makefile, after every fragment.
vmtest: $(VMTEST_KERNEL_FILES)
	$(Q)$(VMTEST_RUN) $(KERNELS)
