package org.calsync.emulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every user's calendar list: which calendars the user sees, with which access role, and whether they are selected
 * (shown) in the user's Google Calendar. A removed entry stays as a tombstone ({@code deleted}) so that listings with
 * {@code showDeleted} or a sync token report it. Guarded by the state lock.
 */
final class CalendarLists {
  /** Access roles from least to most; a role's index is its rank. */
  static final List<String> ROLES = List.of("freeBusyReader", "reader", "writer", "owner");

  static final class Entry {
    final CalendarData cal;
    /** Insertion rank in the user's list (stable: page tokens are positions). */
    final long position;
    String accessRole;
    boolean selected;
    boolean deleted;
    /** Sequence of the last change a sync token reports (membership, selection; not the access role, as Google). */
    long seq;

    Entry(CalendarData cal, long position) {
      this.cal = cal;
      this.position = position;
    }

    boolean atLeast(String role) {
      return rank(accessRole) >= rank(role);
    }
  }

  private final Map<String, LinkedHashMap<String, Entry>> byUser = new LinkedHashMap<>();
  private long positions;

  static int rank(String role) {
    return ROLES.indexOf(role);
  }

  boolean hasUser(String email) {
    return byUser.containsKey(email);
  }

  Collection<String> users() {
    return new ArrayList<>(byUser.keySet());
  }

  /** The user's entries (tombstones included) in list order; empty for an unknown user. */
  Collection<Entry> entries(String user) {
    LinkedHashMap<String, Entry> l = byUser.get(user);
    return l == null ? List.of() : l.values();
  }

  void addUser(String email) {
    byUser.putIfAbsent(email, new LinkedHashMap<>());
  }

  /** The live (not deleted) entry, or null. */
  Entry live(String user, String calendarId) {
    LinkedHashMap<String, Entry> l = byUser.get(user);
    Entry e = l == null ? null : l.get(calendarId);
    return e == null || e.deleted ? null : e;
  }

  /**
   * Adds the calendar to the user's list (reviving a tombstone) or changes the entry: accessRole and selected are
   * applied when not null. seq is a fresh state sequence.
   */
  Entry put(String user, CalendarData cal, String accessRole, Boolean selected, long seq) {
    LinkedHashMap<String, Entry> l = byUser.get(user);
    Entry e = l.get(cal.id);
    if (e == null) {
      e = new Entry(cal, ++positions);
      l.put(cal.id, e);
    }
    if (e.deleted || e.seq == 0) {
      e.deleted = false;
      e.selected = selected == null || selected;
      e.accessRole = accessRole == null ? "reader" : accessRole;
      e.seq = seq;
      return e;
    }
    if (accessRole != null) e.accessRole = accessRole;
    if (selected != null && selected != e.selected) {
      e.selected = selected;
      e.seq = seq;
    }
    return e;
  }

  /** Turns the entry into a tombstone; false when the user has no live entry for it. */
  boolean remove(String user, String calendarId, long seq) {
    Entry e = live(user, calendarId);
    if (e == null) return false;
    e.deleted = true;
    e.seq = seq;
    return true;
  }

  /** Removes the calendar from every list (it was deleted). */
  void removeEverywhere(String calendarId, long seq) {
    for (String user : byUser.keySet()) remove(user, calendarId, seq);
  }
}
