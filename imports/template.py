"""The downloadable template: a workbook with the Cases and Actions sheets, their headings, one example row of
obviously fictional data each, and a Columns sheet saying what goes in each column."""

import io

from imports.columns import ACTION_COLUMNS, ACTIONS_SHEET, CASE_COLUMNS, CASES_SHEET, Column


def template_workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    cases = workbook.active
    cases.title = CASES_SHEET
    actions = workbook.create_sheet(ACTIONS_SHEET)
    for sheet, columns in ((cases, CASE_COLUMNS), (actions, ACTION_COLUMNS)):
        sheet.append([column.heading for column in columns])
        sheet.append([column.example for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(14, len(column.heading) + 2)
        sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Columns")
    help_sheet.append(["Sheet", "Column", "Required", "What it holds", "Accepted"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for sheet_name, columns in ((CASES_SHEET, CASE_COLUMNS), (ACTIONS_SHEET, ACTION_COLUMNS)):
        for column in columns:
            help_sheet.append(_help_row(sheet_name, column))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _help_row(sheet: str, column: Column) -> list[str]:
    return [sheet, column.heading, "yes" if column.required else "no", column.meaning, column.accepted]
