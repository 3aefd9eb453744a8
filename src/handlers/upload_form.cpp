#include "handlers/upload_form.hpp"

namespace pier::handlers {

std::string_view upload_form_html() {
    // The POST goes to the page's own URL (action omitted): the directory being listed.
    return R"(<form id="upload" method="post" enctype="multipart/form-data">
<style>
#upload{margin:1.5rem 0;padding:1rem;border:1px dashed var(--line);border-radius:.5rem}
#upload progress{width:100%;margin-top:.5rem}
body.drop #upload{border-color:var(--link);background:color-mix(in srgb,var(--link) 8%,transparent)}
</style>
<label>Upload files <input type="file" name="files" multiple required></label>
<button type="submit">Upload</button>
<span id="upload-status" role="status"></span>
<progress hidden max="100" value="0"></progress>
<small>or drop files anywhere on this page</small>
</form>
<script>
(() => {
  const form = document.getElementById('upload');
  const input = form.querySelector('input');
  const bar = form.querySelector('progress');
  const status = document.getElementById('upload-status');
  function send(files) {
    if (!files.length) return;
    const data = new FormData();
    for (const f of files) data.append('files', f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', location.pathname);
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    bar.value = 0;
    status.textContent = 'Uploading ' + files.length + (files.length > 1 ? ' files' : ' file');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = 100 * e.loaded / e.total; };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) { location.reload(); return; }
      bar.hidden = true;
      status.textContent = 'Upload failed: ' + xhr.status + ' ' + xhr.statusText;
    };
    xhr.onerror = () => { bar.hidden = true; status.textContent = 'Upload failed: no answer'; };
    xhr.send(data);
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); send(input.files); });
  document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('drop'); });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('drop'); });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('drop');
    send(e.dataTransfer.files);
  });
})();
</script>
)";
}

} // namespace pier::handlers
