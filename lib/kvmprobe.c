/* SPDX-License-Identifier: MIT */
#include "kvmprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_ADDR 0x1000
#define PROBE_PORT 0x10
#define PROBE_VALUE 0x3a /* 0x2a + 0x10, computed by the guest */

const char *kp_kvm_stage_name(enum kp_kvm_stage s)
{
	static const char *const names[] = {
		[KP_KVM_STAGE_OPEN] = "open",
		[KP_KVM_STAGE_API] = "api_version",
		[KP_KVM_STAGE_CREATE_VM] = "create_vm",
		[KP_KVM_STAGE_MEMORY] = "set_user_memory_region",
		[KP_KVM_STAGE_CREATE_VCPU] = "create_vcpu",
		[KP_KVM_STAGE_SETUP] = "vcpu_setup",
		[KP_KVM_STAGE_RUN] = "run",
		[KP_KVM_STAGE_DONE] = "done",
	};

	if ((unsigned)s < sizeof(names) / sizeof(names[0]))
		return names[s];
	return "unknown";
}

static int fail(struct kp_kvmprobe *res, enum kp_kvm_stage st, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct kp_kvmprobe *res, enum kp_kvm_stage st, int err,
		const char *fmt, ...)
{
	va_list ap;

	res->stage = st;
	res->err = err;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
	return err;
}

static int xioctl(int fd, unsigned long req, unsigned long arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

#if defined(__x86_64__) || defined(__i386__)
static const uint8_t guest_code[] = {
	0xb0, 0x2a,       /* mov al, 0x2a */
	0x04, 0x10,       /* add al, 0x10 */
	0xe6, PROBE_PORT, /* out 0x10, al */
	0xf4,             /* hlt */
};

static int setup_vcpu(int vcpu, struct kp_kvmprobe *res)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (xioctl(vcpu, KVM_GET_SREGS, (unsigned long)&sregs) < 0)
		return fail(res, KP_KVM_STAGE_SETUP, -errno, "KVM_GET_SREGS: %s",
			    strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (xioctl(vcpu, KVM_SET_SREGS, (unsigned long)&sregs) < 0)
		return fail(res, KP_KVM_STAGE_SETUP, -errno, "KVM_SET_SREGS: %s",
			    strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ADDR;
	regs.rflags = 0x2;
	if (xioctl(vcpu, KVM_SET_REGS, (unsigned long)&regs) < 0)
		return fail(res, KP_KVM_STAGE_SETUP, -errno, "KVM_SET_REGS: %s",
			    strerror(errno));
	return 0;
}

static int run_guest(int vcpu, struct kvm_run *run, size_t run_size,
		     struct kp_kvmprobe *res)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return fail(res, KP_KVM_STAGE_RUN, -errno, "KVM_RUN: %s",
				    strerror(errno));
		}
		res->exit_reason = (int)run->exit_reason;
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t v;

			if (run->io.direction != KVM_EXIT_IO_OUT ||
			    run->io.port != PROBE_PORT || run->io.size != 1 ||
			    run->io.data_offset >= run_size)
				return fail(res, KP_KVM_STAGE_RUN, -EIO,
					    "unexpected I/O exit (port 0x%x)",
					    run->io.port);
			v = *((uint8_t *)run + run->io.data_offset);
			if (v != PROBE_VALUE)
				return fail(res, KP_KVM_STAGE_RUN, -EIO,
					    "the guest computed 0x%x, not 0x%x", v,
					    PROBE_VALUE);
			res->instructions_ran = 1;
			break;
		}
		case KVM_EXIT_HLT:
			if (!res->instructions_ran)
				return fail(res, KP_KVM_STAGE_RUN, -EIO,
					    "the guest halted before its I/O write");
			res->stage = KP_KVM_STAGE_DONE;
			return 0;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_FAIL_ENTRY:
			return fail(res, KP_KVM_STAGE_RUN, -EIO,
				    "VM entry failed (hardware reason 0x%llx)",
				    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			return fail(res, KP_KVM_STAGE_RUN, -EIO,
				    "KVM internal error (suberror %u)",
				    run->internal.suberror);
		default:
			return fail(res, KP_KVM_STAGE_RUN, -EIO,
				    "unexpected exit reason %u", run->exit_reason);
		}
	}
	return fail(res, KP_KVM_STAGE_RUN, -EIO, "the guest did not halt");
}
#define HAVE_GUEST 1
#else
#define HAVE_GUEST 0
#endif

int kp_kvm_probe(struct kp_kvmprobe *res)
{
	return kp_kvm_probe_report(res, NULL, NULL);
}

int kp_kvm_probe_report(struct kp_kvmprobe *res,
			void (*report)(const struct kp_kvmprobe *res, int r, void *arg), void *arg)
{
	int kvm = -1, vm = -1, vcpu = -1, r;
	void *mem = MAP_FAILED;
	struct kvm_run *run = MAP_FAILED;
	long run_size = 0;

	memset(res, 0, sizeof(*res));
	res->api_version = -1;
	res->exit_reason = -1;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		r = fail(res, KP_KVM_STAGE_OPEN, -errno, "/dev/kvm: %s", strerror(errno));
		if (report)
			report(res, r, arg);
		return r;
	}

	r = xioctl(kvm, KVM_GET_API_VERSION, 0);
	if (r < 0) {
		r = fail(res, KP_KVM_STAGE_API, -errno, "KVM_GET_API_VERSION: %s",
			 strerror(errno));
		goto out;
	}
	res->api_version = r;
	if (r != KVM_API_VERSION) {
		r = fail(res, KP_KVM_STAGE_API, -EPROTO, "KVM API version %d, not %d",
			 r, KVM_API_VERSION);
		goto out;
	}

	vm = xioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		r = fail(res, KP_KVM_STAGE_CREATE_VM, -errno, "KVM_CREATE_VM: %s",
			 strerror(errno));
		goto out;
	}

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		r = fail(res, KP_KVM_STAGE_MEMORY, -errno, "mmap: %s", strerror(errno));
		goto out;
	}
#if HAVE_GUEST
	memcpy(mem, guest_code, sizeof(guest_code));
#endif
	{
		struct kvm_userspace_memory_region region = {
			.slot = 0,
			.guest_phys_addr = GUEST_ADDR,
			.memory_size = 4096,
			.userspace_addr = (uintptr_t)mem,
		};

		if (xioctl(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region) < 0) {
			r = fail(res, KP_KVM_STAGE_MEMORY, -errno,
				 "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
			goto out;
		}
	}

	vcpu = xioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		r = fail(res, KP_KVM_STAGE_CREATE_VCPU, -errno, "KVM_CREATE_VCPU: %s",
			 strerror(errno));
		goto out;
	}
	run_size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (long)sizeof(struct kvm_run)) {
		r = fail(res, KP_KVM_STAGE_CREATE_VCPU, run_size < 0 ? -errno : -EIO,
			 "KVM_GET_VCPU_MMAP_SIZE: %s",
			 run_size < 0 ? strerror(errno) : "too small");
		goto out;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		r = fail(res, KP_KVM_STAGE_CREATE_VCPU, -errno, "mmap of the vCPU: %s",
			 strerror(errno));
		goto out;
	}

#if HAVE_GUEST
	r = setup_vcpu(vcpu, res);
	if (r < 0)
		goto out;
	r = run_guest(vcpu, run, (size_t)run_size, res);
#else
	r = fail(res, KP_KVM_STAGE_SETUP, -ENOTSUP,
		 "no guest program for this architecture");
#endif

out:
	if (report)
		report(res, r, arg);
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (mem != MAP_FAILED)
		munmap(mem, 4096);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return r;
}
