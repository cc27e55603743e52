package io.jlb.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least-connections for large pools in O(1) per pick: a tournament tree whose root always names the least
 * loaded candidate. Each node is one {@code long}: load per unit of weight (active × 2^16 / weight) in the high
 * 32 bits, then a 12-bit random salt, then the candidate index in the low 20 bits, so {@code min} compares load
 * first and breaks ties by a salt that is re-rolled whenever a candidate's load changes (no backend is favoured for
 * its position). Members report every change of their active count; the update rewrites the leaf and the minima
 * on its path to the root in O(log n), stopping early where a node does not change.
 *
 * <p>Concurrent updates use plain opaque reads and writes: two racing updates of sibling subtrees can leave a
 * parent one change behind until the next update below it, which only makes a pick momentarily approximate —
 * never wrong in kind, since every index in the tree is a candidate.
 */
final class LoadTree implements Selector.Picker {
    private static final VarHandle NODES = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int INDEX_BITS = 20;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final long EMPTY = Long.MAX_VALUE;

    private final Member[] members;
    private final int[] weights;
    private final long[] nodes;
    private final int leaves;

    LoadTree(Member[] members, int[] weights) {
        this.members = members;
        this.weights = weights;
        int size = Integer.highestOneBit(Math.max(1, members.length - 1)) << 1;
        this.leaves = size;
        this.nodes = new long[2 * size];
        java.util.Arrays.fill(nodes, EMPTY);
        for (int i = 0; i < members.length; i++) {
            nodes[size + i] = key(i);
        }
        for (int node = size - 1; node >= 1; node--) {
            nodes[node] = Math.min(nodes[2 * node], nodes[2 * node + 1]);
        }
        for (int i = 0; i < members.length; i++) {
            int index = i;
            members[i].watchLoad(() -> update(index));
        }
    }

    @Override
    public int pick(PickContext context) {
        return (int) ((long) NODES.getOpaque(nodes, 1) & INDEX_MASK);
    }

    void update(int index) {
        int node = leaves + index;
        NODES.setOpaque(nodes, node, key(index));
        for (node >>>= 1; node >= 1; node >>>= 1) {
            long min = Math.min((long) NODES.getOpaque(nodes, 2 * node), (long) NODES.getOpaque(nodes, 2 * node + 1));
            if ((long) NODES.getOpaque(nodes, node) == min) {
                return;
            }
            NODES.setOpaque(nodes, node, min);
        }
    }

    private long key(int index) {
        long active = Math.max(0, members[index].active());
        long load = Math.min(Integer.MAX_VALUE, (active << 16) / weights[index]);
        long salt = ThreadLocalRandom.current().nextInt(1 << 12);
        return load << 32 | salt << INDEX_BITS | index;
    }
}
