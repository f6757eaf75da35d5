package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpRangeTest {

    @Test
    void ipv4RangesMatchByPrefix() {
        IpRange r = IpRange.parse("10.1.0.0/16");
        assertThat(r.contains("10.1.200.3")).isTrue();
        assertThat(r.contains("10.2.0.1")).isFalse();
        assertThat(IpRange.parse("192.168.1.128/25").contains("192.168.1.200")).isTrue();
        assertThat(IpRange.parse("192.168.1.128/25").contains("192.168.1.100")).isFalse();
        assertThat(IpRange.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
        assertThat(IpRange.parse("127.0.0.1").contains("127.0.0.1")).isTrue();
        assertThat(IpRange.parse("127.0.0.1").contains("127.0.0.2")).isFalse();
    }

    @Test
    void ipv6RangesAndMappedAddresses() {
        assertThat(IpRange.parse("fd00::/8").contains("fd12:3456::1")).isTrue();
        assertThat(IpRange.parse("fd00::/8").contains("fe80::1")).isFalse();
        assertThat(IpRange.parse("::1").contains("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains("::ffff:10.0.0.5")).as("IPv4-mapped").isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains("fd00::1")).isFalse();
    }

    @Test
    void namesAndBadPrefixesAreRefusedWithoutALookup() {
        assertThatThrownBy(() -> IpRange.parse("example.com")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("cafe")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/x")).hasMessageContaining("prefix length");
        assertThat(IpRange.parse("10.0.0.0/8").contains("localhost")).isFalse();
        assertThat(IpRange.parse("10.0.0.0/8").contains(null)).isFalse();
    }
}
