package bandaid.socket;

/**
 * Which file a path names: its device and inode (stat(2)). Two paths name the same socket file
 * exactly when these are equal, however they are spelt (/var/run and /run, {@code //}, {@code ..},
 * a symlinked directory).
 */
public record FileId(long device, long inode) {
}
