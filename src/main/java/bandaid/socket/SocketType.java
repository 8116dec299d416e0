package bandaid.socket;

/**
 * A socket's type, with the Linux ABI numbers (include/linux/net.h). socket(2) ORs
 * SOCK_NONBLOCK and SOCK_CLOEXEC into the same argument: {@link #of} masks them off.
 */
public enum SocketType {
    STREAM(1, "SOCK_STREAM"),
    DGRAM(2, "SOCK_DGRAM"),
    SEQPACKET(5, "SOCK_SEQPACKET"),
    OTHER(-1, "SOCK_?");

    /** SOCK_TYPE_MASK in include/linux/net.h: the bits of socket()'s type that name the type. */
    public static final int TYPE_MASK = 0xf;
    /** values() copies its array on every call: {@link #of} runs once per trapped socket(). */
    private static final SocketType[] ALL = values();

    private final int number;
    private final String label;

    SocketType(int number, String label) {
        this.number = number;
        this.label = label;
    }

    public int number() {
        return number;
    }

    public static SocketType of(int typeArgument) {
        int base = typeArgument & TYPE_MASK;
        for (SocketType t : ALL) {
            if (t.number == base) {
                return t;
            }
        }
        return OTHER;
    }

    @Override
    public String toString() {
        return label;
    }
}
