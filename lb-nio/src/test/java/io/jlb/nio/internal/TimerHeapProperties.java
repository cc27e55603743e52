package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class TimerHeapProperties {
    /** Any sequence of schedules, reschedules and cancels fires exactly the live timers, earliest first. */
    @Property
    void firesLiveTimersInDeadlineOrder(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 3000) Integer> ops) {
        TimerHeap heap = new TimerHeap();
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            timers.add(new Timer(null, null));
        }
        TreeMap<Long, Integer> expected = new TreeMap<>();
        long[] deadlineOf = new long[20];
        boolean[] live = new boolean[20];
        for (int op : ops) {
            int t = op % 20;
            if (op % 7 == 0) {
                if (live[t]) {
                    heap.remove(timers.get(t));
                    live[t] = false;
                }
            } else {
                long deadline = (long) op * 20 + t; // unique per timer
                heap.schedule(timers.get(t), deadline);
                live[t] = true;
                deadlineOf[t] = deadline;
            }
        }
        for (int t = 0; t < 20; t++) {
            if (live[t]) {
                expected.put(deadlineOf[t], t);
            }
        }
        assertEquals(expected.size(), heap.size());
        List<Integer> fired = new ArrayList<>();
        Timer next;
        while ((next = heap.pollDue(Long.MAX_VALUE - 1)) != null) {
            fired.add(timers.indexOf(next));
            assertEquals(-1, next.heapIndex);
        }
        assertEquals(new ArrayList<>(expected.values()), fired);
    }
}
