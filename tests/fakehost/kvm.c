/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: /dev/kvm. Answers the KVM ioctls a functional probe makes
 * and runs a real-mode guest of four instructions (mov al,imm8; add al,imm8;
 * out imm8,al; hlt) from the memory the caller registered.
 *
 * TREE/fakehost/kvm "state S": works (default) | broken (KVM_CREATE_VM fails EIO)
 * | broken-run (KVM_RUN exits KVM_EXIT_FAIL_ENTRY) | sigbus (KVM_RUN raises
 * SIGBUS in the caller) | hang (KVM_RUN never returns) | absent (ENOENT); noflags
 * is works (the builder only drops vmx/svm from the CPU flags).
 */
#include "fh.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_PAGES 3
#define PAGE 4096
#define MAX_FDS 64
#define MAX_SLOTS 32

enum { K_SYS = 1, K_VM, K_VCPU };

struct vm {
	struct kvm_userspace_memory_region slot[MAX_SLOTS];
	int vcpus;
};

struct vcpu {
	struct vm *vm;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_run *run;
};

static struct kfd {
	int fd, kind;
	dev_t dev;
	ino_t ino;
	struct vm *vm;
	struct vcpu *vcpu;
} fds[MAX_FDS];

int fh_kvm_state(char *buf, size_t n)
{
	char p[FH_PATH], v[32];

	/* meta lines "state works|noflags|broken|broken-run|absent" */
	fh_p(p, "/fakehost/kvm");
	if (fh_meta(p, "state", buf, n) < 0)
		snprintf(buf, n, "works");
	buf[strcspn(buf, " \t\n,")] = '\0';
	if (!strcmp(buf, "broken") && fh_meta(p, "broken", v, sizeof(v)) == 0 && !strcmp(v, "run"))
		snprintf(buf, n, "broken-run");
	return 0;
}

static struct kfd *track(int fd, int kind)
{
	struct stat st;
	int i;

	if (fstat(fd, &st) < 0)
		return NULL;
	for (i = 0; i < MAX_FDS; i++) {
		if (fds[i].kind && fds[i].fd != fd)
			continue;
		memset(&fds[i], 0, sizeof(fds[i]));
		fds[i].fd = fd;
		fds[i].kind = kind;
		fds[i].dev = st.st_dev;
		fds[i].ino = st.st_ino;
		return &fds[i];
	}
	return NULL;
}

void fh_kvm_track_sys(int fd)
{
	track(fd, K_SYS);
}

static struct kfd *lookup(int fd)
{
	struct stat st;
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (!fds[i].kind || fds[i].fd != fd)
			continue;
		/* the fd number may have been reused behind our back (fclose, dup2) */
		if (fstat(fd, &st) < 0 || st.st_dev != fds[i].dev || st.st_ino != fds[i].ino) {
			fds[i].kind = 0;
			return NULL;
		}
		return &fds[i];
	}
	return NULL;
}

void fh_kvm_close(int fd)
{
	struct kfd *k = lookup(fd);

	if (!k)
		return;
	if (k->kind == K_VCPU && k->vcpu) {
		munmap(k->vcpu->run, RUN_PAGES * PAGE);
		free(k->vcpu);
	}
	/* a VM's memory outlives its fd while vcpus hold it: never freed, tiny */
	k->kind = 0;
}

static long check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_HLT:
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_IRQ_ROUTING:
	case KVM_CAP_IRQFD:
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_IMMEDIATE_EXIT:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return 8;
	case KVM_CAP_MAX_VCPUS:
		return 1024;
	case KVM_CAP_NR_MEMSLOTS:
		return MAX_SLOTS;
	default:
		return 0;
	}
}

static uint8_t *guest_ptr(struct vm *vm, uint64_t gpa, size_t len)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct kvm_userspace_memory_region *s = &vm->slot[i];

		if (s->memory_size && gpa >= s->guest_phys_addr &&
		    gpa + len <= s->guest_phys_addr + s->memory_size)
			return (uint8_t *)(uintptr_t)(s->userspace_addr + (gpa - s->guest_phys_addr));
	}
	return NULL;
}

static void internal_error(struct kvm_run *run)
{
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 0;
}

static int vcpu_run(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	char state[32];
	int steps;

	fh_kvm_state(state, sizeof(state));
	if (!strcmp(state, "sigbus")) {
		/* guest memory the host cannot back (a truncated memfd, a
		 * poisoned page): KVM sends the vCPU's thread SIGBUS
		 * (kvm_send_hwpoison_signal, hva_to_pfn) */
		raise(SIGBUS);
		return -EFAULT;
	}
	if (!strcmp(state, "hang")) {
		/* a vCPU that never comes back (a wedged hypervisor below a
		 * nested or paravirtual KVM): only a signal ends it. The
		 * model's lock (taken around this ioctl) is let go first, so
		 * that the rest of the host, the caller's parent included,
		 * goes on; this call never returns to retake it. */
		fh_unlock();
		for (;;)
			pause();
	}
	if (!strcmp(state, "broken-run")) {
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = 0x80000021;	/* invalid guest state */
		run->fail_entry.cpu = 0;
		return 0;
	}
	for (steps = 0; steps < 100000; steps++) {
		uint64_t gpa = c->sregs.cs.base + (c->regs.rip & 0xffff);
		uint8_t *ip = guest_ptr(c->vm, gpa, 1), *imm = guest_ptr(c->vm, gpa + 1, 1);
		uint8_t al = (uint8_t)c->regs.rax;

		if (!ip) {
			internal_error(run);
			return 0;
		}
		switch (*ip) {
		case 0xb0:	/* mov al, imm8 */
		case 0x04:	/* add al, imm8 */
			if (!imm) {
				internal_error(run);
				return 0;
			}
			al = *ip == 0xb0 ? *imm : (uint8_t)(al + *imm);
			c->regs.rax = (c->regs.rax & ~0xffull) | al;
			c->regs.rip += 2;
			break;
		case 0xe6:	/* out imm8, al */
			if (!imm) {
				internal_error(run);
				return 0;
			}
			run->exit_reason = KVM_EXIT_IO;
			run->io.direction = KVM_EXIT_IO_OUT;
			run->io.size = 1;
			run->io.port = *imm;
			run->io.count = 1;
			run->io.data_offset = PAGE;
			((uint8_t *)run)[PAGE] = al;
			c->regs.rip += 2;
			return 0;
		case 0xf4:	/* hlt */
			c->regs.rip += 1;
			run->exit_reason = KVM_EXIT_HLT;
			return 0;
		default:
			internal_error(run);
			return 0;
		}
	}
	internal_error(run);
	return 0;
}

static void reset_sregs(struct kvm_sregs *s)
{
	struct kvm_segment seg = { .base = 0, .limit = 0xffff, .selector = 0, .type = 3,
				   .present = 1, .s = 1 };

	memset(s, 0, sizeof(*s));
	s->cs = seg;
	s->cs.type = 11;
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
	s->cr0 = 0x60000010;
}

static int new_fd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, RUN_PAGES * PAGE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sys_ioctl(unsigned long req, void *arg)
{
	char state[32];
	struct kfd *k;
	int fd;

	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return (int)check_extension((long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return RUN_PAGES * PAGE;
	case KVM_CREATE_VM:
		fh_kvm_state(state, sizeof(state));
		if (!strcmp(state, "broken")) {
			errno = EIO;
			return -1;
		}
		if ((long)arg != 0) {
			errno = EINVAL;
			return -1;
		}
		fd = new_fd("kvm-vm");
		if (fd < 0)
			return -1;
		k = track(fd, K_VM);
		if (!k || !(k->vm = calloc(1, sizeof(struct vm)))) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		return fd;
	default:
		errno = ENOTTY;
		return -1;
	}
}

static int vm_ioctl(struct kfd *k, unsigned long req, void *arg)
{
	struct kvm_userspace_memory_region *r = arg;
	struct kfd *c;
	int fd;

	switch (req) {
	case KVM_CHECK_EXTENSION:
		return (int)check_extension((long)arg);
	case KVM_SET_USER_MEMORY_REGION:
		if (!r || (r->slot & 0xffff) >= MAX_SLOTS || (r->guest_phys_addr & (PAGE - 1)) ||
		    (r->memory_size & (PAGE - 1))) {
			errno = EINVAL;
			return -1;
		}
		k->vm->slot[r->slot & 0xffff] = *r;
		return 0;
	case KVM_SET_TSS_ADDR:
	case KVM_SET_IDENTITY_MAP_ADDR:
	case KVM_CREATE_IRQCHIP:
	case KVM_CREATE_PIT2:
		return 0;
	case KVM_CREATE_VCPU:
		fd = new_fd("kvm-vcpu");
		if (fd < 0)
			return -1;
		c = track(fd, K_VCPU);
		if (!c || !(c->vcpu = calloc(1, sizeof(struct vcpu)))) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		c->vcpu->vm = k->vm;
		c->vcpu->run = mmap(NULL, RUN_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (c->vcpu->run == MAP_FAILED) {
			free(c->vcpu);
			c->kind = 0;
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		reset_sregs(&c->vcpu->sregs);
		c->vcpu->regs.rip = 0xfff0;
		c->vcpu->regs.rflags = 2;
		k->vm->vcpus++;
		return fd;
	default:
		errno = ENOTTY;
		return -1;
	}
}

static int vcpu_ioctl(struct kfd *k, unsigned long req, void *arg)
{
	struct vcpu *c = k->vcpu;

	switch (req) {
	case KVM_GET_REGS:
		memcpy(arg, &c->regs, sizeof(c->regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&c->regs, arg, sizeof(c->regs));
		return 0;
	case KVM_GET_SREGS:
		memcpy(arg, &c->sregs, sizeof(c->sregs));
		return 0;
	case KVM_SET_SREGS:
		memcpy(&c->sregs, arg, sizeof(c->sregs));
		return 0;
	case KVM_RUN:
		return vcpu_run(c);
	default:
		errno = ENOTTY;
		return -1;
	}
}

int fh_kvm_ioctl(int fd, unsigned long req, void *arg, int *ret)
{
	struct kfd *k = lookup(fd);

	if (!k)
		return 0;
	if (k->kind == K_SYS)
		*ret = sys_ioctl(req, arg);
	else if (k->kind == K_VM)
		*ret = vm_ioctl(k, req, arg);
	else
		*ret = vcpu_ioctl(k, req, arg);
	return 1;
}
