/* SPDX-License-Identifier: MIT */
/*
 * kvmrun: an independent check of KVM on this machine, for
 * tests/vm/kvm-probe.t. Written apart from lib/kvmprobe.c (different guest
 * program, different checks) so that the two can be compared.
 *
 * It creates a VM, maps two pages of guest memory at 0x8000, puts a small
 * 16-bit program there that computes 0x1200 + 0x34 in AX, writes AX to I/O
 * port 0x5a5 and halts, and runs the vCPU until the halt.
 *
 * Prints one line, "works" or "broken: REASON" (or "absent: REASON"), and
 * exits 0 (works), 1 (broken), 2 (no usable /dev/kvm).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int broken(const char *what)
{
	printf("broken: %s: %s\n", what, errno ? strerror(errno) : "unexpected");
	return 1;
}

int main(void)
{
#if defined(__x86_64__)
	static const uint8_t prog[] = {
		0xba, 0xa5, 0x05, /* mov dx, 0x5a5 */
		0xb8, 0x00, 0x12, /* mov ax, 0x1200 */
		0x83, 0xc0, 0x34, /* add ax, 0x34 */
		0xef,             /* out dx, ax */
		0xf4,             /* hlt */
	};
	struct kvm_userspace_memory_region mr;
	struct kvm_sregs sr;
	struct kvm_regs rg;
	struct kvm_run *run;
	int sys, vm, cpu, size, i, seen_out = 0;
	uint8_t *mem;

	sys = open("/dev/kvm", O_RDWR);
	if (sys < 0) {
		printf("absent: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}
	errno = 0;
	if (ioctl(sys, KVM_GET_API_VERSION, NULL) != 12)
		return broken("KVM_GET_API_VERSION");
	vm = ioctl(sys, KVM_CREATE_VM, 0UL);
	if (vm < 0)
		return broken("KVM_CREATE_VM");
	mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return broken("mmap");
	memcpy(mem, prog, sizeof(prog));
	memset(&mr, 0, sizeof(mr));
	mr.slot = 1;
	mr.guest_phys_addr = 0x8000;
	mr.memory_size = 0x2000;
	mr.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		return broken("KVM_SET_USER_MEMORY_REGION");
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (cpu < 0)
		return broken("KVM_CREATE_VCPU");
	size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (size <= 0)
		return broken("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED)
		return broken("mmap vcpu");
	if (ioctl(cpu, KVM_GET_SREGS, &sr) < 0)
		return broken("KVM_GET_SREGS");
	/* real mode, CS base 0x8000: IP 0 is the first byte of the program */
	sr.cs.base = 0x8000;
	sr.cs.selector = 0x800;
	if (ioctl(cpu, KVM_SET_SREGS, &sr) < 0)
		return broken("KVM_SET_SREGS");
	memset(&rg, 0, sizeof(rg));
	rg.rip = 0;
	rg.rflags = 2;
	if (ioctl(cpu, KVM_SET_REGS, &rg) < 0)
		return broken("KVM_SET_REGS");
	for (i = 0; i < 32; i++) {
		if (ioctl(cpu, KVM_RUN, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return broken("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			uint16_t v;

			memcpy(&v, (uint8_t *)run + run->io.data_offset, sizeof(v));
			if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != 0x5a5 ||
			    run->io.size != 2 || v != 0x1234) {
				printf("broken: guest wrote 0x%x to port 0x%x (size %u)\n", v,
				       run->io.port, run->io.size);
				return 1;
			}
			seen_out = 1;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT) {
			if (!seen_out) {
				printf("broken: halted without the I/O write\n");
				return 1;
			}
			printf("works\n");
			return 0;
		}
		printf("broken: exit reason %u\n", run->exit_reason);
		return 1;
	}
	printf("broken: no halt\n");
	return 1;
#else
	printf("absent: kvmrun knows only x86_64 guests\n");
	return 2;
#endif
}
