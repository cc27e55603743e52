package io.jlb.nio.internal;

import java.util.Arrays;

/** A binary min-heap of timers by deadline, with each timer's index kept for O(log n) removal. Loop-confined. */
final class TimerHeap {
    private Timer[] heap = new Timer[64];
    private int size;

    void schedule(Timer t, long deadline) {
        if (t.heapIndex >= 0) {
            long old = t.deadline;
            t.deadline = deadline;
            if (deadline < old) {
                siftUp(t.heapIndex);
            } else {
                siftDown(t.heapIndex);
            }
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.deadline = deadline;
        heap[size] = t;
        t.heapIndex = size;
        siftUp(size++);
    }

    void remove(Timer t) {
        int i = t.heapIndex;
        t.heapIndex = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i != size) {
            heap[i] = last;
            last.heapIndex = i;
            siftDown(i);
            siftUp(last.heapIndex);
        }
    }

    /** The earliest deadline, or {@code Long.MAX_VALUE} when empty. */
    long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** Removes and returns the earliest timer if it is due at {@code now}; null otherwise. */
    Timer pollDue(long now) {
        if (size == 0 || heap[0].deadline - now > 0) {
            return null;
        }
        Timer t = heap[0];
        remove(t);
        return t;
    }

    int size() {
        return size;
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (p.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timer c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].deadline - c.deadline < 0) {
                child = right;
                c = heap[child];
            }
            if (t.deadline - c.deadline <= 0) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
