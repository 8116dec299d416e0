package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes this process the program (execve(2)) from the thread that installed the seccomp filter, so
 * the program runs under it with the same pid (the service's main process stays so): execve from
 * any thread ends the others and takes the leader's pid (execve(2): "All threads other than the
 * calling thread are destroyed"). Before it the thread blocks no signal (a mask survives exec), and
 * every fd from 3 up is marked close-on-exec (close_range(2), CLOSE_RANGE_CLOEXEC, Linux 5.11; one
 * by one on an older kernel, which answers EINVAL): the JVM's fds are not all, and the program must
 * get fds 0-2 only.
 */
public final class Exec {
    private static final int FIRST_FD_TO_CLOSE = 3;

    private Exec() {
    }

    /**
     * Execs {@code argv[0]}, a path, or a name looked up on {@code path} (the program's PATH, as
     * execvp(3) does: the first candidate that is not ENOENT, EACCES remembered).
     *
     * @return only when no candidate could be executed: the errno of the exec (ENOENT: not found;
     * EACCES, ENOEXEC: not executable)
     */
    public static SyscallException become(List<byte[]> argv, List<byte[]> environment, List<byte[]> path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = Spawner.strings(arena, argv);
            MemorySegment env = Spawner.strings(arena, environment);
            MemorySegment everySignal = arena.allocateFrom(ValueLayout.JAVA_LONG, -1L);
            Libc.syscall(Abi.__NR_rt_sigprocmask, Abi.SIG_UNBLOCK, everySignal.address(), 0, Signals.KERNEL_SIGSET_BYTES, 0, 0);
            markEveryFdCloseOnExec();
            byte[] program = argv.getFirst();
            boolean hasSlash = false;
            for (byte b : program) {
                hasSlash |= b == '/';
            }
            if (hasSlash || path.isEmpty()) {
                return new SyscallException("execve", (int) -execve(arena, program, args, env));
            }
            int first = Errno.ENOENT;
            for (byte[] dir : path) {
                byte[] candidate = new byte[(dir.length == 0 ? 1 : dir.length + 1) + program.length];
                int at = 0;
                if (dir.length == 0) {
                    candidate[at++] = '.';
                } else {
                    System.arraycopy(dir, 0, candidate, 0, dir.length);
                    at = dir.length;
                }
                candidate[at++] = '/';
                System.arraycopy(program, 0, candidate, at, program.length);
                int errno = (int) -execve(arena, candidate, args, env);
                if (errno == Errno.EACCES) {
                    first = Errno.EACCES;
                } else if (errno != Errno.ENOENT && errno != Errno.ENOTDIR) {
                    return new SyscallException("execve", errno);
                }
            }
            return new SyscallException("execve", first);
        }
    }

    private static void markEveryFdCloseOnExec() {
        long r = Libc.syscall(Abi.__NR_close_range, FIRST_FD_TO_CLOSE, 0xffffffffL, Abi.CLOSE_RANGE_CLOEXEC);
        if (r != -Errno.EINVAL && r != -Errno.ENOSYS) {
            Libc.check("close_range(3, ~0, CLOSE_RANGE_CLOEXEC)", r);
            return;
        }
        // Linux 5.9 and 5.10 (Debian 11) have close_range without CLOSE_RANGE_CLOEXEC.
        List<Integer> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                open.add(Integer.parseInt(fd.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new SyscallException("opendir(/proc/self/fd)", Errno.EIO);
        }
        for (int fd : open) {
            if (fd >= FIRST_FD_TO_CLOSE) {
                try {
                    Fds.setCloseOnExec(fd);
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EBADF) { // the directory stream's own fd is closed by now
                        throw e;
                    }
                }
            }
        }
    }

    private static long execve(Arena arena, byte[] file, MemorySegment argv, MemorySegment envp) {
        MemorySegment name = arena.allocate(file.length + 1L);
        MemorySegment.copy(file, 0, name, ValueLayout.JAVA_BYTE, 0, file.length);
        return Libc.syscall(Abi.__NR_execve, name.address(), argv.address(), envp.address());
    }
}
