package dev.weir.web.view;

import java.util.Map;

/**
 * The cluster at a glance.
 *
 * @param version Weir's version
 * @param workers workers registered now
 * @param slots their slots in all; -1 when unbounded (an embedded cluster's workers take any
 *     number of subtasks)
 * @param jobsByState how many known jobs are in each state ({@code RUNNING}, {@code DONE}, ...)
 */
public record Overview(String version, int workers, long slots, Map<String, Integer> jobsByState) {
  public Overview {
    jobsByState = Map.copyOf(jobsByState);
  }
}
