"""Reading back the Word documents the service makes, as an agency opening them would."""

import io

from docx import Document


def word_texts(content: bytes) -> list[str]:
    """Every paragraph's text, then every table cell's, of a .docx file."""
    document = Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    return texts + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
