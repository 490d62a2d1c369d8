package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void writesAndReadsImagesAndRows() {
        Shape mnist = new Shape(1, 28, 28);
        assertEquals(784, mnist.size());
        assertFalse(mnist.isFlat());
        assertEquals("1x28x28", mnist.toString());
        assertEquals(mnist, Shape.parse("1x28x28"));
        assertEquals(Shape.flat(784), Shape.parse("784"));
        assertEquals("784", Shape.flat(784).toString());
        assertTrue(Shape.flat(4).isFlat());
        assertEquals(Shape.flat(3), Shape.parse("3x1x1"), "a 3x1x1 image is three features");
    }

    @Test
    void refusesWhatIsNoShape() {
        assertEquals("shape '1x28' is not N or CxHxW (e.g. 784 or 1x28x28)",
                assertThrows(IllegalArgumentException.class, () -> Shape.parse("1x28")).getMessage());
        assertEquals("shape '1xax28': 'a' is not a whole number (expected N or CxHxW, e.g. 784 or 1x28x28)",
                assertThrows(IllegalArgumentException.class, () -> Shape.parse("1xax28")).getMessage());
        assertEquals("shape 0x28x28 needs every size 1 or more",
                assertThrows(IllegalArgumentException.class, () -> Shape.parse("0x28x28")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Shape(65536, 65536, 2)).getMessage()
                .contains("more than 2^31"));
    }
}
