/* The audit's privilege probes (audit_privs.c): whether the instance can
 * create a user namespace, and which calls a seccomp filter should refuse
 * get past it. Emits the facts can_create_user_namespace, user_namespace_probe,
 * syscalls_reachable and syscalls_probe on fd. */
#ifndef CVB_AUDIT_PRIVS_H
#define CVB_AUDIT_PRIVS_H

void cvb_audit_privs(int fd);

#endif
