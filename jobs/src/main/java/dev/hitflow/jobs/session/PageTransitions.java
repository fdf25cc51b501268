package dev.hitflow.jobs.session;

import java.util.ArrayList;
import java.util.List;

/** A session's path as page-to-page steps, with its entrance and its exit. */
public final class PageTransitions {
    public static final String ENTRANCE = "(entrance)";
    public static final String EXIT = "(exit)";

    private PageTransitions() {}

    /** One step from a page to the next. */
    public record Step(String from, String to) {}

    /** [a, b, c] -> (entrance)->a, a->b, b->c, c->(exit); an empty path has no steps. */
    public static List<Step> of(List<String> path) {
        List<Step> steps = new ArrayList<>(path.size() + 1);
        if (path.isEmpty()) {
            return steps;
        }
        String previous = ENTRANCE;
        for (String page : path) {
            steps.add(new Step(previous, page));
            previous = page;
        }
        steps.add(new Step(previous, EXIT));
        return steps;
    }
}
