package io.jlb.core;

import java.util.Objects;

/**
 * A change in a pool, as {@link PoolListener}s hear it.
 *
 * @param pool the pool's name
 * @param type what happened
 * @param member the member concerned
 * @param previous its state before ({@code null} for {@link Type#ADDED})
 * @param current its state after
 */
public record PoolEvent(String pool, Type type, Member member, BackendState previous, BackendState current) {
    /** What happened to the member. */
    public enum Type {
        /** Joined the pool. */
        ADDED,
        /** Left the pool. */
        REMOVED,
        /** Its definition changed: address, weight, backup flag or metadata. */
        UPDATED,
        /** Its state changed (health, draining, ejection). */
        STATE_CHANGED
    }

    /** Validates the fields. */
    public PoolEvent {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(current, "current");
    }

    @Override
    public String toString() {
        String name = member.backend().name();
        return switch (type) {
            case STATE_CHANGED -> "pool " + pool + ": backend " + name + " is " + current.label()
                    + " (was " + previous.label() + "): " + member.reason();
            case ADDED -> "pool " + pool + ": backend " + name + " added (" + current.label() + ")";
            case REMOVED -> "pool " + pool + ": backend " + name + " removed";
            case UPDATED -> "pool " + pool + ": backend " + member.backend() + " updated";
        };
    }
}
