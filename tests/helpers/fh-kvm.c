/* SPDX-License-Identifier: MIT */
/*
 * fh-kvm: drive /dev/kvm step by step and print what each step answers,
 * for the kernel model's KVM tests.
 *
 *   fh-kvm [HEXBYTES]    the guest program (default B02A0418E6F1F4: one OUT
 *                        of 0x42 to port 0xF1, then HLT) at guest physical
 *                        0x1000, real mode, CS base 0, IP 0x1000
 *
 * Prints one line per step ("api 12", "exit io out port=0xf1 size=1
 * data=0x42", "exit hlt", or "STEP: ERRNO_NAME"). Exits 0 when the guest
 * halted, 1 otherwise.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <errno.h>

static int fail(const char *step)
{
	printf("%s: %s\n", step, strerrorname_np(errno) ?: "?");
	return 1;
}

int main(int argc, char **argv)
{
	const char *hex = argc > 1 ? argv[1] : "B02A0418E6F1F4";
	struct kvm_userspace_memory_region mem;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint8_t *guest;
	int kvm, vm, vcpu, size, i, r;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open");
	r = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (r < 0)
		return fail("api");
	printf("api %d\n", r);
	printf("cap user_memory %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("create_vm");
	guest = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (guest == MAP_FAILED)
		return fail("mmap guest");
	for (i = 0; hex[2 * i] && hex[2 * i + 1] && i < 0x1000; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		guest[0x1000 + i] = (uint8_t)strtoul(b, NULL, 16);
	}
	memset(&mem, 0, sizeof(mem));
	mem.slot = 0;
	mem.guest_phys_addr = 0;
	mem.memory_size = 0x2000;
	mem.userspace_addr = (uintptr_t)guest;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		return fail("set_user_memory_region");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("create_vcpu");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*run))
		return fail("vcpu_mmap_size");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap vcpu");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("get_sregs");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("set_sregs");
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("set_regs");
	for (i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("run");
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			printf("exit io %s port=0x%x size=%u count=%u data=0x%02x\n",
			       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
			       run->io.size, run->io.count, *((uint8_t *)run + run->io.data_offset));
			break;
		case KVM_EXIT_HLT:
			if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
				return fail("get_regs");
			printf("exit hlt rip=0x%llx al=0x%02llx\n", regs.rip, regs.rax & 0xff);
			return 0;
		case KVM_EXIT_FAIL_ENTRY:
			printf("exit fail_entry reason=0x%llx\n",
			       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return 1;
		case KVM_EXIT_INTERNAL_ERROR:
			printf("exit internal_error suberror=%u\n", run->internal.suberror);
			return 1;
		default:
			printf("exit %u\n", run->exit_reason);
			return 1;
		}
	}
	printf("no halt\n");
	return 1;
}
