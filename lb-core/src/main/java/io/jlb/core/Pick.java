package io.jlb.core;

import java.util.NoSuchElementException;

/**
 * The answer to {@link Pool#pick(PickContext)}: one member, or {@link #NO_BACKEND} when none is eligible.
 *
 * <p>Picks are preallocated, one per member, so picking allocates nothing. A pick does not count as load; call
 * {@link #acquire()} (or {@link Pool#acquire(PickContext)}) for a {@link Lease} that does.
 */
public final class Pick {
    /** The answer when no backend is eligible. */
    public static final Pick NO_BACKEND = new Pick(null);

    private final Member member;

    Pick(Member member) {
        this.member = member;
    }

    /** Whether a backend was found. */
    public boolean found() {
        return member != null;
    }

    /**
     * The picked member.
     *
     * @throws NoSuchElementException for {@link #NO_BACKEND}
     */
    public Member member() {
        if (member == null) {
            throw new NoSuchElementException("no backend available");
        }
        return member;
    }

    /**
     * The picked backend.
     *
     * @throws NoSuchElementException for {@link #NO_BACKEND}
     */
    public Backend backend() {
        return member().backend();
    }

    /** Starts using the picked backend: its active count rises until the lease closes. */
    public Lease acquire() {
        return member == null ? Lease.NONE : member.acquire();
    }

    @Override
    public String toString() {
        return member == null ? "Pick[NO_BACKEND]" : "Pick[" + member.backend().name() + "]";
    }
}
