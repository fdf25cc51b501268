package dev.hitflow.udfs.url;

/**
 * A URL with only allowlisted query parameters, no fragment and no value that looks like an e-mail
 * address, phone number or token; its host and path; and the campaign it carried.
 */
public record ScrubbedUrl(String url, String host, String path, Campaign campaign) {}
