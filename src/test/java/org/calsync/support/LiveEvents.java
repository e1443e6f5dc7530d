package org.calsync.support;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live event ids of one calendar, each with its {@link org.calsync.demo.EventStates} string. As a Set it holds
 * the ids (contains, iteration); equals between two LiveEvents also requires every event's state to match, so
 * {@code assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal))} fails on a mirror with stale times or transparency.
 */
public final class LiveEvents extends AbstractSet<String> {
  private final Map<String, String> states;

  LiveEvents(Map<String, String> states) {
    this.states = new TreeMap<>(states);
  }

  /** The state string of an event, or null. */
  public String state(String eventId) {
    return states.get(eventId);
  }

  @Override
  public Iterator<String> iterator() {
    return java.util.Collections.unmodifiableSet(states.keySet()).iterator();
  }

  @Override
  public int size() {
    return states.size();
  }

  @Override
  public boolean contains(Object o) {
    return states.containsKey(o);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LiveEvents other ? states.equals(other.states) : super.equals(o);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }

  @Override
  public String toString() {
    return states.toString();
  }
}
