package dev.hitflow.udfs.url;

/** Where a visit came from: a source class and the referring host only. */
public record Referrer(SourceClass sourceClass, String host) {}
