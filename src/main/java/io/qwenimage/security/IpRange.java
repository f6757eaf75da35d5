package io.qwenimage.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An address range in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}) or a single address. */
public final class IpRange {

    private static final Pattern LITERAL =
            Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private IpRange(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** @throws IllegalArgumentException when {@code cidr} is not an IP literal with an optional prefix length */
    public static IpRange parse(String cidr) {
        String t = cidr.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        // only literals: a host name here would mean a DNS lookup at startup and on every change
        if (!LITERAL.matcher(address).matches()) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR range");
        }
        byte[] bytes = literal(address, cidr);
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + bits);
            }
        }
        return new IpRange(bytes, prefix, t);
    }

    /** True when {@code address} (an IP literal) lies in this range; IPv4-mapped IPv6 counts as IPv4. */
    public boolean contains(String address) {
        if (address == null || !LITERAL.matcher(address).matches()) {
            return false;
        }
        byte[] a;
        try {
            a = literal(address, address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static byte[] literal(String address, String original) {
        try {
            // getByName does not resolve when given a literal (checked by the pattern above)
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + original + "' is not an IP address or CIDR range");
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
