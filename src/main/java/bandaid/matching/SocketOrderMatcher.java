package bandaid.matching;

import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The seed's rule ({@code --match=socket}): each socket() gets the first passed socket not yet
 * handed out of equal family and type and equal protocol (0, the family's default, matches any).
 * The program's bind() to that socket's own address is trapped too and answered for it, since
 * bind(2) on a bound socket fails with EINVAL (inet_bind, unix_bind). Its limits, inherent to
 * socket()'s three integers (README.md, "Requirements and limitations"): sockets of one kind go in
 * the order the program creates them; an outbound socket made first takes the listener; options set
 * before bind() (IPV6_V6ONLY) fail on the already bound socket.
 */
public final class SocketOrderMatcher implements FdMatcher {
    private final List<PassedSocket> unclaimed;
    private final List<PassedSocket> passed;

    public SocketOrderMatcher(List<PassedSocket> passed) {
        this.passed = List.copyOf(passed);
        this.unclaimed = new ArrayList<>(passed);
    }

    @Override
    public synchronized Optional<PassedSocket> match(SocketCall call) {
        if (call instanceof SocketCall.Bind bind) {
            return passed.stream().filter(p -> p.address().equals(bind.address())).findFirst();
        }
        return claim((SocketCall.Create) call);
    }

    private Optional<PassedSocket> claim(SocketCall.Create create) {
        for (PassedSocket p : unclaimed) {
            if (p.family() == create.family() && p.type() == create.type()
                    && (create.protocol() == 0 || create.protocol() == p.protocol())) {
                unclaimed.remove(p);
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean couldMatch(ListenAddress address) {
        return passed.stream().anyMatch(p -> p.address().equals(address));
    }

    @Override
    public synchronized void handedOut(PassedSocket socket) {
        unclaimed.remove(socket);
    }

    @Override
    public synchronized void release(PassedSocket socket) {
        if (!unclaimed.contains(socket)) {
            unclaimed.add(socket);
            unclaimed.sort(Comparator.comparingInt(passed::indexOf));
        }
    }

    @Override
    public boolean needsSocketCalls() {
        return true;
    }

    @Override
    public String name() {
        return "socket";
    }
}
