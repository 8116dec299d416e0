package bandaid.socket;

import java.util.Optional;

/**
 * The socket a program calls bind() on, as bandaid finds it in the program: what replaces it
 * must be of the same type.
 *
 * @param v6Only IPV6_V6ONLY as the program set it before bind() (false for other families); empty
 *               when bandaid could not ask (under another seccomp filter it can only read the
 *               socket's protocol name)
 */
public record SocketKind(Family family, SocketType type, Optional<Boolean> v6Only) {
    public SocketKind(Family family, SocketType type, boolean v6Only) {
        this(family, type, Optional.of(v6Only));
    }
}
