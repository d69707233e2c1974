/* SPDX-License-Identifier: MIT */
#ifndef KP_KVMPROBE_H
#define KP_KVMPROBE_H

/*
 * The functional KVM probe: open /dev/kvm, check the API version, create a
 * VM with one page of guest memory and one vCPU, and run a few guest
 * instructions on it (x86: real-mode "mov al,0x2a; add al,0x10;
 * out 0x10,al; hlt", which must exit to us with an I/O write of 0x3a on
 * port 0x10 and then a halt). A host where this works can run KVM guests,
 * whatever the CPU flags say (nested KVM, paravirtual KVM such as PVM); a
 * host where it fails cannot, whatever they say.
 *
 * /dev/kvm is a plain path (umockdev and the fake host's kernel model
 * answer it under test). Used by kvmprep-validate and the launcher.
 */

enum kp_kvm_stage {
	KP_KVM_STAGE_OPEN,        /* open("/dev/kvm") */
	KP_KVM_STAGE_API,         /* KVM_GET_API_VERSION */
	KP_KVM_STAGE_CREATE_VM,   /* KVM_CREATE_VM */
	KP_KVM_STAGE_MEMORY,      /* KVM_SET_USER_MEMORY_REGION */
	KP_KVM_STAGE_CREATE_VCPU, /* KVM_CREATE_VCPU + mmap of kvm_run */
	KP_KVM_STAGE_SETUP,       /* KVM_GET/SET_SREGS, KVM_SET_REGS */
	KP_KVM_STAGE_RUN,         /* KVM_RUN and the exits it gives */
	KP_KVM_STAGE_DONE,        /* the guest ran and halted as expected */
};

struct kp_kvmprobe {
	enum kp_kvm_stage stage; /* where it stopped (DONE: success) */
	int err;                 /* -errno of the failing call, 0 */
	int api_version;         /* -1 until read */
	int exit_reason;         /* last KVM_EXIT_* seen, -1 before KVM_RUN */
	int instructions_ran;    /* the guest's I/O write was seen, right value */
	char detail[160];        /* one line: what went wrong, "" on success */
};

/* Run the probe. 0 when the guest ran (res->stage == DONE), else -errno
 * (-ENOENT: no /dev/kvm; -EACCES: not allowed to open it; -EPROTO: the
 * API version is not 12; -EIO: KVM_RUN gave an unexpected exit; -ENOTSUP:
 * no guest program for this architecture, the probe stopped after
 * KVM_CREATE_VCPU). res is always filled. */
int kp_kvm_probe(struct kp_kvmprobe *res);

/* The same, calling report(res, r, arg) with the answer before the VM is
 * torn down (the teardown is most of the probe's time: a caller that
 * hands the answer on need not wait for it). */
int kp_kvm_probe_report(struct kp_kvmprobe *res,
			void (*report)(const struct kp_kvmprobe *res, int r, void *arg), void *arg);

/* "open", "api_version", "create_vm", … for messages. */
const char *kp_kvm_stage_name(enum kp_kvm_stage s);

#endif
