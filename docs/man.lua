-- Tables become definition lists (first cell the term, the others its text,
-- each prefixed by its column header): tbl cannot fit wide tables into 80
-- columns without "cannot adjust line" warnings, and .TP lists wrap cleanly.
local function cell_inlines(cell)
  return pandoc.utils.blocks_to_inlines(cell.contents)
end

function Table(t)
  local heads = {}
  if t.head and t.head.rows[1] then
    for i, c in ipairs(t.head.rows[1].cells) do heads[i] = pandoc.utils.stringify(c.contents) end
  end
  local items = {}
  for _, body in ipairs(t.bodies) do
    for _, row in ipairs(body.body) do
      local term = cell_inlines(row.cells[1])
      local defs = {}
      for i = 2, #row.cells do
        local text = cell_inlines(row.cells[i])
        local lead = (heads[i] and heads[i] ~= '') and {pandoc.Emph(heads[i]), pandoc.Str(':'), pandoc.Space()} or {}
        local inl = pandoc.List(lead)
        inl:extend(text)
        table.insert(defs, pandoc.Plain(inl))
      end
      table.insert(items, {term, {defs}})
    end
  end
  return pandoc.DefinitionList(items)
end
