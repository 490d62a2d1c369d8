/** Words for messages, shared by every layer: counts with their nouns. */
package backpropcl.text;
