package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {
    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:0:0:0:7, 2001:db8::7",
        "::1, ::1",
        "::, ::",
        "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "192.0.2.33, 192.0.2.33",
    })
    void writesRfc5952Text(String input, String expected) throws Exception {
        assertEquals(expected, Addresses.text(InetAddress.getByName(input)));
    }
}
