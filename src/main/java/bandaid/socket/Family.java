package bandaid.socket;

/**
 * A socket's address family, with the Linux ABI numbers (include/linux/socket.h): they never
 * change, and AbiNumbersTest checks them against the generated bindings.
 */
public enum Family {
    UNIX(1, "AF_UNIX"),
    INET(2, "AF_INET"),
    INET6(10, "AF_INET6"),
    OTHER(-1, "AF_?");

    /** values() copies its array on every call: {@link #of} runs once per trapped call. */
    private static final Family[] ALL = values();

    private final int number;
    private final String label;

    Family(int number, String label) {
        this.number = number;
        this.label = label;
    }

    public int number() {
        return number;
    }

    public static Family of(int number) {
        for (Family f : ALL) {
            if (f.number == number) {
                return f;
            }
        }
        return OTHER;
    }

    @Override
    public String toString() {
        return label;
    }
}
