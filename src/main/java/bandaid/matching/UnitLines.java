package bandaid.matching;

import bandaid.socket.SocketType;

/** The .socket unit's words, as bandaid's warnings name them (systemd.socket(5)). */
final class UnitLines {
    private UnitLines() {
    }

    /** The .socket unit's line for a socket of this type. */
    static String directive(SocketType type) {
        return switch (type) {
            case DGRAM -> "ListenDatagram";
            case SEQPACKET -> "ListenSequentialPacket";
            default -> "ListenStream";
        };
    }
}
