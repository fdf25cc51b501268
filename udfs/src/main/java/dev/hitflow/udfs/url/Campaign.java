package dev.hitflow.udfs.url;

/** The utm_* parameters of a page URL. */
public record Campaign(String source, String medium, String name, String term, String content) {
    public static final Campaign NONE = new Campaign(null, null, null, null, null);

    public boolean present() {
        return source != null || medium != null || name != null || term != null || content != null;
    }
}
