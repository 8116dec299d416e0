package bandaid.nativeaccess;

import bandaid.socket.TrappedCall;

/**
 * One trapped call as SECCOMP_IOCTL_NOTIF_RECV reported it, decoded.
 *
 * @param id        the kernel's cookie for this call; every answer names it
 * @param call      what the program asked for, its memory read once
 * @param readError the errno of a read of the caller's memory that failed (0: none failed)
 */
public record Notification(long id, TrappedCall call, int readError) {
}
