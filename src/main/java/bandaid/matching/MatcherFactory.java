package bandaid.matching;

import bandaid.BandaidException;
import bandaid.activation.PassedSocket;
import java.util.List;

/** Makes the {@link FdMatcher} once the passed sockets are known; may refuse them (a --map naming none). */
@FunctionalInterface
public interface MatcherFactory {
    FdMatcher create(List<PassedSocket> passed) throws BandaidException;
}
