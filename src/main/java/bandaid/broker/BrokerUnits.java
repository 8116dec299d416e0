package bandaid.broker;

/**
 * bandaid-broker.socket and bandaid-broker.service for a launcher: the pair the .deb ships, and
 * what {@code bandaid broker --units} prints or writes for a checkout's scripts/bandaid.
 */
public final class BrokerUnits {
    public static final String SOCKET_UNIT = "bandaid-broker.socket";
    public static final String SERVICE_UNIT = "bandaid-broker.service";

    private BrokerUnits() {
    }

    public static String socket() {
        return """
                [Unit]
                Description=bandaid broker socket: one bandaid answers every service started with bandaid
                Documentation=man:bandaid(1)

                [Socket]
                # The handoff: each wrapper sends its listener and passed sockets in one message.
                ListenSequentialPacket=%s
                # Any service may hand over; the broker knows each by its credentials (SO_PEERCRED).
                SocketMode=0666
                DirectoryMode=0755
                FileDescriptorName=broker

                [Install]
                WantedBy=sockets.target
                """.formatted(Handover.DEFAULT_SOCKET);
    }

    /** @param launcher the absolute path of the launcher the broker runs (scripts/bandaid, /usr/bin/bandaid) */
    public static String service(String launcher) {
        return """
                [Unit]
                Description=bandaid broker: answers the trapped calls of the services started with bandaid
                Documentation=man:bandaid(1)
                Requires=%s
                After=%s

                [Service]
                Type=notify
                ExecStart=%s broker
                # A restart or a crash loses no service: the listeners and passed sockets wait in the
                # fd store, and calls made meanwhile are answered by the next broker.
                FileDescriptorStoreMax=16384
                Restart=always
                RestartSec=100ms
                LimitNOFILE=65536
                # What the broker does to other services' processes: read their memory and take
                # duplicates of their fds (ptrace access), look at their files, stop them when idle.
                CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_KILL
                NoNewPrivileges=yes
                ProtectSystem=strict
                ProtectHome=read-only
                PrivateTmp=yes
                PrivateDevices=yes
                ProtectKernelTunables=yes
                ProtectKernelModules=yes
                ProtectKernelLogs=yes
                ProtectControlGroups=yes
                ProtectClock=yes
                ProtectHostname=yes
                RestrictNamespaces=yes
                RestrictRealtime=yes
                RestrictSUIDSGID=yes
                LockPersonality=yes
                RestrictAddressFamilies=AF_UNIX
                SystemCallArchitectures=native
                UMask=0077

                [Install]
                WantedBy=multi-user.target
                """.formatted(SOCKET_UNIT, SOCKET_UNIT, launcher);
    }
}
